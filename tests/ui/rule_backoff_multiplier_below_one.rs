use supervisor::prelude::*;

#[supervised(backoff(multiplier = 0.5))]
async fn indexer(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
