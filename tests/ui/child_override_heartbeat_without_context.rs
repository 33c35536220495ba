use supervisor::prelude::*;

#[supervised]
async fn migrate() {}

#[derive(Supervisor)]
struct App {
    #[child(heartbeat = "10s")]
    migrate: migrate,
}

fn main() {}
