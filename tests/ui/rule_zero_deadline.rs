use supervisor::prelude::*;

#[supervised(timeout = "0s")]
async fn indexer(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
