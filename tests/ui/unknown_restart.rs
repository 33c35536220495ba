use supervisor::prelude::*;

#[supervised(restart = "always")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
