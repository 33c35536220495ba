use supervisor::prelude::*;

#[supervised(shutdown = "graceful")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
