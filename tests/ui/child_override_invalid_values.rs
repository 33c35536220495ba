use supervisor::prelude::*;

#[supervised]
async fn worker(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct Pool {
    #[child(id = "", backoff(jitter = -0.1), timeout = "0s", shutdown = "soon")]
    first: worker,
}

fn main() {}
