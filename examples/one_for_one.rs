//! The `one_for_one` strategy: three services a, b and c; b fails after a second.
//! Only the child that failed is restarted: a and c keep running.
//!
//! Run it with `cargo run --example one_for_one`.

mod narrate;
mod three_services;

#[tokio::main]
async fn main() -> Result<(), supervisor::SpecError> {
    three_services::run(supervisor::Strategy::OneForOne).await
}
