# Calendar words: the one source of day and month names, dates and week labels.

weekday-mon = Monday
weekday-tue = Tuesday
weekday-wed = Wednesday
weekday-thu = Thursday
weekday-fri = Friday
weekday-sat = Saturday
weekday-sun = Sunday

weekday-short-mon = Mon
weekday-short-tue = Tue
weekday-short-wed = Wed
weekday-short-thu = Thu
weekday-short-fri = Fri
weekday-short-sat = Sat
weekday-short-sun = Sun

month-jan = January
month-feb = February
month-mar = March
month-apr = April
month-may = May
month-jun = June
month-jul = July
month-aug = August
month-sep = September
month-oct = October
month-nov = November
month-dec = December

month-short-jan = Jan
month-short-feb = Feb
month-short-mar = Mar
month-short-apr = Apr
month-short-may = May
month-short-jun = Jun
month-short-jul = Jul
month-short-aug = Aug
month-short-sep = Sep
month-short-oct = Oct
month-short-nov = Nov
month-short-dec = Dec

# "Monday 4 January"
date-day = { $weekday } { $day } { $month }
date-day-year = { $weekday } { $day } { $month } { $year }
# "20 Jan"
date-short = { $day } { $month }
# "14 Feb 2027"
date-short-year = { $day } { $month } { $year }
# "Week 04 / 2027"; $week has its two digits already.
week-label = Week { $week } / { $year }
# "8:30", "12:00"
time-of-day = { $hour }:{ $minute }
# "Monday 20 January at 8:30"
deadline-label = { $weekday } { $day } { $month } at { $time }
# "26/11/2026 at 10:15"
date-time = { $date } at { $time }
# "7 July 2016", "1 September 2026": a date far from today (birth, a contract's period).
date-long = { $day } { $month } { $year }
