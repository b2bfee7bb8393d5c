-- population: the population of each chosen district area (or the city) per year, for values per 1 000 inhabitants
-- $districts: list of district codes (the city is the pseudo district 'stockholm')
-- returns: district, year, value, source
with chosen_population as (
    select p.district, p.year, p.value, p.source
    from population p
    where list_contains($districts::varchar[], p.district)
)

select district, year, value, source
from chosen_population
order by district, year;
