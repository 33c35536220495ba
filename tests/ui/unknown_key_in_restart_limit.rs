use supervisor::prelude::*;

#[supervised(restart_limit(max = 3, whithin = "1m"))]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
