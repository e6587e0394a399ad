//! UUIDv7 keys (time-ordered, DESIGN.md section 2).

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A fresh UUIDv7 for a new row.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// A UUIDv7 for a row created at `at`, with caller-supplied random bits, so
/// generated data is reproducible and its keys sort like its timestamps.
pub fn id_at(at: DateTime<Utc>, random: [u8; 10]) -> Uuid {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_7_and_sort_by_time() {
        let early = id_at(
            DateTime::from_timestamp(1_700_000_000, 0).expect("valid"),
            [9; 10],
        );
        let late = id_at(
            DateTime::from_timestamp(1_700_000_001, 0).expect("valid"),
            [0; 10],
        );
        assert_eq!(early.get_version_num(), 7);
        assert!(early < late);
        assert_eq!(new_id().get_version_num(), 7);
    }
}
