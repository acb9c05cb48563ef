//! One shape for the service's middlewares. Poem wants two types a middleware: the
//! `Middleware` that keeps its settings (the state, the metrics…) and the `Endpoint` that
//! holds them next to the wrapped endpoint. Each of ours only says what it does around the
//! rest of the handling ([`Around`]); [`Layer`] makes the poem middleware of it.

use poem::{Endpoint, Middleware, Request, Response, Result};
use std::future::Future;

/// What a middleware does with a request, `next` being the rest of the handling.
pub trait Around: Clone + Send + Sync + 'static {
    fn around<E: Endpoint>(
        &self,
        next: &E,
        req: Request,
    ) -> impl Future<Output = Result<Response>> + Send;
}

/// The poem middleware of an [`Around`]: `routes.with(Layer(Hardening { state }))`.
pub struct Layer<A>(pub A);

impl<A: Around, E: Endpoint> Middleware<E> for Layer<A> {
    type Output = Layered<A, E>;
    fn transform(&self, inner: E) -> Self::Output {
        Layered {
            around: self.0.clone(),
            inner,
        }
    }
}

/// An endpoint wrapped by the [`Around`] `A`.
pub struct Layered<A, E> {
    around: A,
    inner: E,
}

impl<A: Around, E: Endpoint> Endpoint for Layered<A, E> {
    type Output = Response;

    // The future of `around` itself, not one more `async` layer around it: in a debug build
    // each layer adds its copy of the nested futures to the stack.
    fn call(&self, req: Request) -> impl Future<Output = Result<Response>> + Send {
        self.around.around(&self.inner, req)
    }
}
