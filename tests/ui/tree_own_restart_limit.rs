use supervisor::prelude::*;

#[supervised]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
#[supervisor(restart_limit(max = 0, within = "0s"))]
struct App {
    api: api,
}

fn main() {}
