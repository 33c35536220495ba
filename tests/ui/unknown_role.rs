use supervisor::prelude::*;

#[supervised(role = "servise")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
