use supervisor::prelude::*;

#[supervised]
async fn api(ctx: ChildContext) -> Result<(), u16> {
    ctx.cancelled().await;
    Err(500)
}

fn main() {}
