use supervisor::prelude::*;

#[supervised(heartbeat = "10")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
