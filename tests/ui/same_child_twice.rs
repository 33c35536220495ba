use supervisor::prelude::*;

#[supervised]
async fn worker(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct Pool {
    first: worker,
    second: worker,
}

fn main() {}
