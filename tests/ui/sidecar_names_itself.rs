use supervisor::prelude::*;

#[supervised(role = "sidecar", primary = metrics)]
async fn metrics(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct App {
    metrics: metrics,
}

fn main() {}
