use supervisor::prelude::*;

#[supervised(role = "servise")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised]
async fn indexer(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct App {
    api: api,
    indexer: indexer,
}

fn main() {
    let _ = App::spec();
}
