"""Business-day arithmetic per SPEC section 3, with real public holidays in the way."""

import datetime as dt

import numpy as np

from acctbook.book.coerce import book_from_rows
from acctbook.core.workdays import Calendar, public_holidays

D = dt.date


def cal(country, work_week=None, company=()):
    settings = {"country": country}
    if work_week:
        settings["work_week"] = work_week
    data = {"Holidays": [{"date": d, "name": "Company day"} for d in company]}
    return Calendar.from_settings(book_from_rows(data, settings).settings, range(2025, 2029))


def test_israel_sun_thu_with_rosh_hashanah_on_a_sunday():
    il = cal("IL")
    assert il.work_week == "Sun-Thu"
    # Thu 2026-09-10 + 1: Fri and Sat are off, Sun 09-13 is Rosh Hashanah -> Mon 09-14.
    assert il.add(D(2026, 9, 10), 1) == D(2026, 9, 14)
    # Yom Kippur, Mon 2026-09-21: Sun 09-20 + 1 -> Tue 09-22.
    assert il.add(D(2026, 9, 20), 1) == D(2026, 9, 22)
    assert not il.is_business_day(D(2026, 9, 13))
    assert il.is_business_day(D(2026, 11, 15))          # an ordinary Sunday works


def test_israel_pesach_in_the_way_backwards():
    il = cal("IL")
    # Pesach 2027 is Thu 04-22: Sun 04-25 − 1 business day skips Sat, Fri and Thu -> Wed 04-21.
    assert il.sub(D(2027, 4, 25), 1) == D(2027, 4, 21)
    assert il.sub(D(2027, 4, 25), 2) == D(2027, 4, 20)
    # Pesach 2026 is Thu 04-02: rolling back from Sat 04-04 lands on Wed 04-01.
    assert il.roll_back(D(2026, 4, 4)) == D(2026, 4, 1)
    assert il.roll_forward(D(2026, 4, 2)) == D(2026, 4, 5)


def test_mon_fri_christmas_germany_and_britain():
    de, gb = cal("DE"), cal("GB")
    assert de.work_week == gb.work_week == "Mon-Fri"
    assert de.add(D(2026, 12, 24), 1) == D(2026, 12, 28)      # Fri 12-25 Christmas
    assert gb.add(D(2026, 12, 24), 1) == D(2026, 12, 29)      # Mon 12-28 Boxing Day observed
    assert de.sub(D(2026, 12, 28), 1) == D(2026, 12, 24)
    assert cal("XX").add(D(2026, 12, 24), 1) == D(2026, 12, 25)   # no holidays, no crash


def test_plus_and_minus_from_a_day_off_follow_numpy_convention():
    il = cal("IL")
    sat = D(2026, 11, 21)
    assert il.add(sat, 1) == D(2026, 11, 22)      # the 1st business day after Saturday: Sunday
    assert il.sub(sat, 1) == D(2026, 11, 19)      # the 1st business day before it: Thursday
    assert il.add(D(2026, 11, 16), 0) == D(2026, 11, 16)
    assert il.add(D(2026, 11, 19), 3) == D(2026, 11, 24)     # Thu + 3 -> Sun, Mon, Tue
    assert il.roll_forward(sat) == D(2026, 11, 22) and il.roll_back(sat) == D(2026, 11, 19)


def test_company_day_off_from_holidays_table_and_explicit_work_week():
    plain = cal("IL")
    off = cal("IL", company=[D(2026, 11, 16)])
    assert plain.add(D(2026, 11, 15), 1) == D(2026, 11, 16)
    assert off.add(D(2026, 11, 15), 1) == D(2026, 11, 17)
    # Work week set explicitly overrides the country default.
    assert cal("IL", "Mon-Fri").add(D(2026, 11, 19), 1) == D(2026, 11, 20)


def test_vectorized_matches_scalars_and_nat_passes_through():
    il = cal("IL")
    days = np.array(["2026-09-10", "NaT", "2027-04-25"], dtype="datetime64[D]")
    added = il.add_many(days, np.array([1, 1, 2]))
    assert added[0] == np.datetime64(il.add(D(2026, 9, 10), 1))
    assert np.isnat(added[1])
    assert added[2] == np.datetime64(il.add(D(2027, 4, 25), 2))
    subbed = il.sub_many(days, 2)
    assert subbed[2] == np.datetime64("2027-04-20")


def test_public_holidays_of_unknown_country_are_empty():
    assert public_holidays("XX", [2026]) == []
    assert D(2026, 9, 13) in public_holidays("IL", [2026])
