use supervisor::prelude::*;

#[supervised]
async fn api(ctx: ChildContext) -> u16 {
    ctx.cancelled().await;
    8080
}

fn main() {}
