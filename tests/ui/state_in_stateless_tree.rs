use supervisor::prelude::*;

#[derive(Clone)]
struct Db;

#[supervised(role = "service")]
async fn api(ctx: ChildContext, State(_db): State<Db>) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct App {
    api: api,
}

fn main() {
    let _ = App::spec();
}
