use supervisor::prelude::*;

#[derive(Clone)]
struct Db;

#[supervised]
async fn api(State(_db): State<Db>, ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
