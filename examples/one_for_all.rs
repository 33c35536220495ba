//! The `one_for_all` strategy: three services a, b and c; b fails after a second.
//! Every child is stopped (c, then a) and all three start again in order.
//!
//! Run it with `cargo run --example one_for_all`.

mod narrate;
mod three_services;

#[tokio::main]
async fn main() -> Result<(), supervisor::SpecError> {
    three_services::run(supervisor::Strategy::OneForAll).await
}
