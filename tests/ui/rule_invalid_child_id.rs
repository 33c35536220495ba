use supervisor::prelude::*;

#[supervised(id = "api/v1")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
