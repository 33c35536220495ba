//! The `rest_for_one` strategy: three services a, b and c; b fails after a second.
//! The failed child and those started after it (c) restart; a keeps running.
//!
//! Run it with `cargo run --example rest_for_one`.

mod narrate;
mod three_services;

#[tokio::main]
async fn main() -> Result<(), supervisor::SpecError> {
    three_services::run(supervisor::Strategy::RestForOne).await
}
