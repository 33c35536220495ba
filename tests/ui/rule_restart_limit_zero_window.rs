use supervisor::prelude::*;

#[supervised(restart_limit(max = 3, within = "0s"))]
async fn indexer(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
