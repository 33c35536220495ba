use supervisor::prelude::*;

#[supervised(role = "service", shutdown = "5s", role = "worker")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
