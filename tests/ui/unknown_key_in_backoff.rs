use supervisor::prelude::*;

#[supervised(backoff(inital = "1s"))]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
