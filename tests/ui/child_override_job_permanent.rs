use supervisor::prelude::*;

#[supervised(role = "job")]
async fn migrate() {}

#[derive(Supervisor)]
struct App {
    #[child(restart = "permanent")]
    migrate: migrate,
}

fn main() {}
