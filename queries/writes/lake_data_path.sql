-- lake_data_path: the folder of the lake's data files, as stored in its catalogue
-- returns: value
select value
from ducklake_options(current_database())
where option_name = 'data_path'
