use supervisor::prelude::*;

#[supervised]
async fn api(ctx: ChildContext, port: u16) {
    let _ = port;
    ctx.cancelled().await
}

fn main() {}
