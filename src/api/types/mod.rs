//! Request and response types: what clients send and receive. Each derives `ToSchema` so that its
//! doc comments become the descriptions a user reads in Swagger UI. Database rows never leave the
//! service as they are; responses are built from them with `From`.

mod article;
mod change;
mod common;
mod entity;
mod interop;
mod quote;
mod section;
mod stats;

pub use article::*;
pub use change::*;
pub use common::*;
pub use entity::*;
pub use interop::*;
pub use quote::*;
pub use section::*;
pub use stats::*;
