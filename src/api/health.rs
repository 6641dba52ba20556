//! Liveness and readiness probes.

use actix_web::{get, web, HttpResponse};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::Serialize;
use utoipa::ToSchema;

use super::http::AppState;

/// A probe's answer.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable` when a dependency is down.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is up and answering.
#[utoipa::path(tag = "health", responses((status = 200, description = "Alive", body = Health)))]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The service can serve requests: the primary database answers, and so does the read replica
/// when `DATABASE_READ_URL` is set. Either one down is a 503: with the primary down nothing can
/// be written, and with the replica down every read fails, so a load balancer should send the
/// traffic to another instance.
#[utoipa::path(tag = "health", responses(
    (status = 200, description = "Ready", body = Health),
    (status = 503, description = "A database (the primary, or the read replica) does not answer", body = Health),
))]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let primary = answers(&state.db, "primary");
    let replica = async {
        match &state.replica {
            Some(replica) => answers(replica, "replica").await,
            None => true,
        }
    };
    let (primary, replica) = tokio::join!(primary, replica);
    if primary && replica {
        HttpResponse::Ok().json(Health { status: "ok" })
    } else {
        HttpResponse::ServiceUnavailable().json(Health {
            status: "unavailable",
        })
    }
}

/// Whether `db` answers a `SELECT 1` within two seconds; the reason it does not goes to the log.
async fn answers(db: &DatabaseConnection, pool: &'static str) -> bool {
    let ping = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        db.execute_unprepared("SELECT 1"),
    )
    .await;
    match ping {
        Ok(Ok(_)) => true,
        Ok(Err(error)) => {
            tracing::warn!(pool, error = %crate::error::loggable(&error), "readiness check failed");
            false
        }
        Err(_) => {
            tracing::warn!(pool, "readiness check timed out");
            false
        }
    }
}
