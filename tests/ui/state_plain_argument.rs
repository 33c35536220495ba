use supervisor::prelude::*;

struct Db;

#[supervised(role = "service")]
async fn api(ctx: ChildContext, db: Db) {
    let _ = db;
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct App {
    api: api,
}

fn main() {
    let _ = App::spec();
}
