use supervisor::prelude::*;

#[supervised(role = "service", heartbeat = "10s")]
async fn api() {}

fn main() {}
