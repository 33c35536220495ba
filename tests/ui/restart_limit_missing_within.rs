use supervisor::prelude::*;

#[supervised(restart_limit(max = 3))]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
