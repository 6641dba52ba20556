//! The HTTP workers' database pools: on Postgres each worker has one of its own, with an even
//! share of `DATABASE_MAX_CONNECTIONS` (`store::WorkerPools`); on SQLite they share one.

use newsmeta::store::{pool_stats, WorkerPools};
use sea_orm::DbBackend;

use crate::helpers::{connect, fresh_test_database};

#[tokio::test]
async fn each_worker_gets_an_even_share_of_the_connections_and_at_least_one() {
    let database = fresh_test_database().await;
    let db = connect(&database.url).await; // 5 connections
    let postgres = db.get_database_backend() == DbBackend::Postgres;

    let shares = |pools: &WorkerPools, workers: u32| -> Vec<u32> {
        (0..workers)
            .filter_map(|_| pools.open("primary", &db, workers))
            .map(|pool| pool_stats(&pool).unwrap().max)
            .collect()
    };
    let three = WorkerPools::default();
    let seven = WorkerPools::default();
    if postgres {
        assert_eq!(shares(&three, 3), [2, 2, 1]);
        // More workers than connections: each still needs one to answer anything.
        assert_eq!(shares(&seven, 7), [1; 7]);
        // /metrics reports them together, under the role they were opened for.
        let together = three.stats("primary").unwrap();
        assert_eq!((together.max, together.size), (5, 0), "opened lazily");
    } else {
        // SQLite's connections run on threads of their own: the workers share the pool.
        assert!(shares(&three, 3).is_empty());
        assert!(three.stats("primary").is_none());
    }
    assert!(three.stats("replica").is_none());
    three.close().await;
    seven.close().await;
    assert!(three.stats("primary").is_none(), "closed pools are let go");
}
