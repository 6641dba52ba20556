//! Local calendars: the days, ISO weeks and months of an IANA time zone, and the instants they
//! begin at. Timelines are bucketed by these; no database date function is involved, so both
//! backends count alike. Pure functions, no I/O.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use crate::api::types::Interval;

/// One bucket of a timeline: the local date its period begins on, and the instants it counts,
/// `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub date: NaiveDate,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Why a timeline's buckets could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BucketError {
    /// The window holds more buckets than the limit.
    TooMany,
    /// A date is beyond the calendar's range.
    OutOfRange,
}

/// The local date that begins the period holding `day`: the day itself, its week's Monday, or
/// the 1st of its month.
pub fn period_of(interval: Interval, day: NaiveDate) -> NaiveDate {
    match interval {
        Interval::Day => day,
        Interval::Week => day
            .checked_sub_signed(Duration::days(i64::from(
                day.weekday().num_days_from_monday(),
            )))
            .unwrap_or(day),
        Interval::Month => day.with_day(1).unwrap_or(day),
    }
}

/// The period `n` periods after (or, negative, before) the one beginning on `period`.
pub fn shift_period(interval: Interval, period: NaiveDate, n: i32) -> Option<NaiveDate> {
    match interval {
        Interval::Day => period.checked_add_signed(Duration::try_days(i64::from(n))?),
        Interval::Week => period.checked_add_signed(Duration::try_weeks(i64::from(n))?),
        Interval::Month => {
            let months = chrono::Months::new(n.unsigned_abs());
            if n >= 0 {
                period.checked_add_months(months)
            } else {
                period.checked_sub_months(months)
            }
        }
    }
}

/// The first instant of local date `day` in `tz`: its midnight, the earlier one when midnight
/// happens twice, or — when the clocks skip midnight — the instant they jump, which is midnight
/// by the offset in force before the jump.
pub fn start_of_day(tz: Tz, day: NaiveDate) -> Option<DateTime<Utc>> {
    let midnight = day.and_hms_opt(0, 0, 0)?;
    match tz.from_local_datetime(&midnight) {
        LocalResult::Single(time) | LocalResult::Ambiguous(time, _) => Some(time.to_utc()),
        LocalResult::None => {
            let before = midnight.checked_sub_signed(Duration::days(1))?;
            let offset = tz.offset_from_utc_datetime(&before).fix();
            let utc = midnight
                .checked_sub_signed(Duration::seconds(i64::from(offset.local_minus_utc())))?;
            Some(utc.and_utc())
        }
    }
}

/// The local date of `instant` in `tz`.
pub fn local_date(tz: Tz, instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&tz).date_naive()
}

/// The buckets of `[from, to)`: one per period (day, week or month in `tz`) that overlaps the
/// window, oldest first, each clipped to the window. At most `max` of them.
pub fn buckets(
    interval: Interval,
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    max: usize,
) -> Result<Vec<Bucket>, BucketError> {
    let mut out = Vec::new();
    let mut period = period_of(interval, local_date(tz, from));
    let mut start = start_of_day(tz, period).ok_or(BucketError::OutOfRange)?;
    while start < to {
        let next = shift_period(interval, period, 1).ok_or(BucketError::OutOfRange)?;
        let end = start_of_day(tz, next).ok_or(BucketError::OutOfRange)?;
        let (clipped_start, clipped_end) = (start.max(from), end.min(to));
        // A period can be empty: a day a zone skipped altogether (Samoa's 2011-12-30).
        if clipped_start < clipped_end {
            if out.len() == max {
                return Err(BucketError::TooMany);
            }
            out.push(Bucket {
                date: period,
                start: clipped_start,
                end: clipped_end,
            });
        }
        period = next;
        start = end;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn london_days_are_23_and_25_hours_long_on_the_dst_changes() {
        let london: Tz = "Europe/London".parse().unwrap();
        assert_eq!(
            start_of_day(london, date("2026-03-29")),
            Some(utc("2026-03-29T00:00:00Z"))
        );
        assert_eq!(
            start_of_day(london, date("2026-03-30")),
            Some(utc("2026-03-29T23:00:00Z"))
        );
        assert_eq!(
            start_of_day(london, date("2026-10-25")),
            Some(utc("2026-10-24T23:00:00Z"))
        );
        assert_eq!(
            start_of_day(london, date("2026-10-26")),
            Some(utc("2026-10-26T00:00:00Z"))
        );
    }

    #[test]
    fn a_skipped_midnight_starts_the_day_when_the_clocks_jump() {
        // Chile moved its clocks from 00:00 to 01:00 on 2024-09-08.
        let santiago: Tz = "America/Santiago".parse().unwrap();
        assert_eq!(
            start_of_day(santiago, date("2024-09-08")),
            Some(utc("2024-09-08T04:00:00Z"))
        );
        // Samoa skipped 2011-12-30 altogether: that day has no bucket.
        let apia: Tz = "Pacific/Apia".parse().unwrap();
        let days = buckets(
            Interval::Day,
            apia,
            utc("2011-12-29T10:00:00Z"),
            utc("2011-12-31T10:00:00Z"),
            10,
        )
        .unwrap();
        let dates: Vec<_> = days.iter().map(|b| b.date.to_string()).collect();
        assert_eq!(dates, ["2011-12-29", "2011-12-31"]);
        assert_eq!(days[0].end, days[1].start);
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        assert_eq!(
            period_of(Interval::Week, date("2026-03-29")),
            date("2026-03-23")
        );
        assert_eq!(
            period_of(Interval::Week, date("2026-03-30")),
            date("2026-03-30")
        );
        assert_eq!(
            period_of(Interval::Month, date("2026-03-29")),
            date("2026-03-01")
        );
        assert_eq!(
            shift_period(Interval::Month, date("2026-01-01"), -2),
            Some(date("2025-11-01"))
        );
    }

    #[test]
    fn buckets_cover_the_window_clipped_at_both_ends() {
        let weeks = buckets(
            Interval::Week,
            Tz::UTC,
            utc("2026-03-01T00:00:00Z"),
            utc("2026-03-18T12:00:00Z"),
            10,
        )
        .unwrap();
        assert_eq!(
            weeks,
            [
                Bucket {
                    date: date("2026-02-23"),
                    start: utc("2026-03-01T00:00:00Z"),
                    end: utc("2026-03-02T00:00:00Z")
                },
                Bucket {
                    date: date("2026-03-02"),
                    start: utc("2026-03-02T00:00:00Z"),
                    end: utc("2026-03-09T00:00:00Z")
                },
                Bucket {
                    date: date("2026-03-09"),
                    start: utc("2026-03-09T00:00:00Z"),
                    end: utc("2026-03-16T00:00:00Z")
                },
                Bucket {
                    date: date("2026-03-16"),
                    start: utc("2026-03-16T00:00:00Z"),
                    end: utc("2026-03-18T12:00:00Z")
                },
            ]
        );
        assert_eq!(
            buckets(
                Interval::Day,
                Tz::UTC,
                utc("2026-01-01T00:00:00Z"),
                utc("2026-01-11T00:00:00Z"),
                9
            ),
            Err(BucketError::TooMany)
        );
        assert_eq!(
            buckets(
                Interval::Day,
                Tz::UTC,
                utc("2026-01-01T00:00:00Z"),
                utc("2026-01-11T00:00:00Z"),
                10
            )
            .map(|b| b.len()),
            Ok(10)
        );
    }
}
