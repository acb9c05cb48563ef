# Calendar words: the one source of day and month names, dates and week labels.

weekday-mon = lundi
weekday-tue = mardi
weekday-wed = mercredi
weekday-thu = jeudi
weekday-fri = vendredi
weekday-sat = samedi
weekday-sun = dimanche

weekday-short-mon = lun.
weekday-short-tue = mar.
weekday-short-wed = mer.
weekday-short-thu = jeu.
weekday-short-fri = ven.
weekday-short-sat = sam.
weekday-short-sun = dim.

month-jan = janvier
month-feb = février
month-mar = mars
month-apr = avril
month-may = mai
month-jun = juin
month-jul = juillet
month-aug = août
month-sep = septembre
month-oct = octobre
month-nov = novembre
month-dec = décembre

month-short-jan = janv.
month-short-feb = févr.
month-short-mar = mars
month-short-apr = avr.
month-short-may = mai
month-short-jun = juin
month-short-jul = juil.
month-short-aug = août
month-short-sep = sept.
month-short-oct = oct.
month-short-nov = nov.
month-short-dec = déc.

# "lundi 4 janvier", "mardi 1er décembre"
date-day = { $weekday } { $day ->
        [1] 1er
       *[other] { $day }
    } { $month }
date-day-year = { $weekday } { $day ->
        [1] 1er
       *[other] { $day }
    } { $month } { $year }
# "20 janv."
date-short = { $day } { $month }
# "14 févr. 2027"
date-short-year = { $day } { $month } { $year }
# "Semaine 04 / 2027"; $week has its two digits already.
week-label = Semaine { $week } / { $year }
# "8h30", "12h"
time-of-day = { $has-minutes ->
        [yes] { $hour }h{ $minute }
       *[no] { $hour }h
    }
# "lundi 20 janvier à 8h30"
deadline-label = { $weekday } { $day ->
        [1] 1er
       *[other] { $day }
    } { $month } à { $time }
# "26/11/2026 à 10:15"
date-time = { $date } à { $time }
# "7 juillet 2016", "1er septembre 2026": a date far from today (birth, a contract's period).
date-long = { $day ->
        [1] 1er
       *[other] { $day }
    } { $month } { $year }
