use supervisor::prelude::*;

#[supervised(timeout = "5 fortnights")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
