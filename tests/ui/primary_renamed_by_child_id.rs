use supervisor::prelude::*;

#[supervised(role = "service")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised(role = "sidecar", primary = api)]
async fn metrics(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct App {
    #[child(id = "edge")]
    api: api,
    metrics: metrics,
}

fn main() {}
