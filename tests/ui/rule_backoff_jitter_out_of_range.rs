use supervisor::prelude::*;

#[supervised(backoff(jitter = 1.5))]
async fn indexer(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
