use supervisor::prelude::*;

#[supervised(backoff(initial = "10s", max = "5s"))]
async fn indexer(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
