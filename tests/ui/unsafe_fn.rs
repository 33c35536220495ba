use supervisor::prelude::*;

#[supervised]
async unsafe fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
