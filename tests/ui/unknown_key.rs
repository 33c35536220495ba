use supervisor::prelude::*;

#[supervised(rol = "service")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
