use supervisor::prelude::*;

#[supervised(role = "service", ready_timeout = "10s")]
async fn api() {}

fn main() {}
