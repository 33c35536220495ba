use supervisor::prelude::*;

#[supervised]
async fn worker(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct Pool {
    #[child(id = "worker")]
    first: worker,
    #[child(id = "worker")]
    second: worker,
}

fn main() {}
