"""Kazakhstan's day: Almaty's offset before and after 2024-03-01, and PORTAL_TODAY."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from portal.domain.clock import (
    KZ_TZ,
    from_kazakhstan_time,
    kazakhstan_now,
    kazakhstan_today,
    parse_fixed_today,
)


@pytest.mark.parametrize(
    ("now_utc", "today"),
    [
        pytest.param(datetime(2026, 11, 24, 18, 59, tzinfo=UTC), date(2026, 11, 24)),
        pytest.param(datetime(2026, 11, 24, 19, 0, tzinfo=UTC), date(2026, 11, 25)),
        # Until 2024-03-01 Almaty kept UTC+6.
        pytest.param(datetime(2023, 6, 1, 17, 59, tzinfo=UTC), date(2023, 6, 1)),
        pytest.param(datetime(2023, 6, 1, 18, 0, tzinfo=UTC), date(2023, 6, 2)),
    ],
)
def test_day_turns_over_at_almaty_midnight(now_utc: datetime, today: date) -> None:
    assert kazakhstan_today(now_utc) == today


def test_offset_is_five_hours_since_march_2024_and_six_before() -> None:
    assert datetime(2026, 1, 15, tzinfo=KZ_TZ).utcoffset() == timedelta(hours=5)
    assert datetime(2024, 3, 2, tzinfo=KZ_TZ).utcoffset() == timedelta(hours=5)
    assert datetime(2023, 12, 15, tzinfo=KZ_TZ).utcoffset() == timedelta(hours=6)


def test_zone_keeps_its_name() -> None:
    assert str(KZ_TZ) == "Asia/Almaty"


def test_any_aware_time_is_accepted() -> None:
    moscow = timezone(timedelta(hours=3))
    now = kazakhstan_now(datetime(2026, 11, 24, 22, 30, tzinfo=moscow))
    assert now == datetime(2026, 11, 25, 0, 30, tzinfo=KZ_TZ)
    assert now.tzinfo is KZ_TZ


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        kazakhstan_today(datetime(2026, 11, 24, 19, 0))  # noqa: DTZ001 - naive on purpose


def test_a_wall_clock_time_in_kazakhstan_is_its_utc_instant() -> None:
    assert from_kazakhstan_time(datetime(2026, 12, 1, 9, 0)) == datetime(2026, 12, 1, 4, 0, tzinfo=UTC)  # noqa: DTZ001
    assert from_kazakhstan_time(datetime(2023, 12, 1, 9, 0)) == datetime(2023, 12, 1, 3, 0, tzinfo=UTC)  # noqa: DTZ001
    assert kazakhstan_now(from_kazakhstan_time(datetime(2026, 12, 1, 0, 30))).hour == 0  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive"):
        from_kazakhstan_time(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


def test_without_argument_the_clock_is_read_in_kazakhstan() -> None:
    before = datetime.now(UTC)
    now = kazakhstan_now()
    after = datetime.now(UTC)
    assert now.tzinfo is KZ_TZ
    assert before <= now <= after
    assert kazakhstan_today() in {
        kazakhstan_today(before),
        kazakhstan_today(after),
    }


def test_fixed_today_is_read_from_iso_day() -> None:
    assert parse_fixed_today("2022-07-11") == date(2022, 7, 11)
    assert parse_fixed_today("2024-02-29") == date(2024, 2, 29)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("20220711", id="basic-iso"),
        pytest.param("2022-W28-1", id="iso-week"),
        pytest.param("2022-07-11T00:00", id="with-time"),
        pytest.param(" 2022-07-11", id="leading-space"),
        pytest.param("2022-07-11\n", id="trailing-newline"),
        pytest.param("11.07.2022", id="russian-form"),
        pytest.param("2022-7-11", id="one-digit-month"),
        pytest.param("2023-02-29", id="not-a-leap-year"),
        pytest.param("2022-13-01", id="month-13"),
        pytest.param("0000-01-01", id="year-zero"),
        pytest.param("\uff12\uff10\uff12\uff12-07-11", id="full-width-digits"),
        pytest.param("today", id="word"),
    ],
)
def test_fixed_today_refuses_anything_but_yyyy_mm_dd(raw: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_fixed_today(raw)
