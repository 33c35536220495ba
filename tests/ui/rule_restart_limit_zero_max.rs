use supervisor::prelude::*;

#[supervised(restart_limit(max = 0, within = "60s"))]
async fn indexer(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
