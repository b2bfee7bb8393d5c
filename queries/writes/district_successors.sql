-- district_successors: the district areas that took over an ended one (an old area's name may point at these)
-- $district: the ended district area
-- returns: successor
select successor from district_successor where district = $district
