use supervisor::prelude::*;

#[supervised(role = "service")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised(role = "sidecar", primary = api)]
async fn metrics(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised(role = "sidecar", primary = metrics)]
async fn log_shipper(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct App {
    api: api,
    stats: metrics,
    logs: log_shipper,
}

fn main() {}
