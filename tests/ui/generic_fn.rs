use supervisor::prelude::*;

#[supervised]
async fn api<T: Default>(ctx: ChildContext) {
    let _ = T::default();
    ctx.cancelled().await
}

fn main() {}
