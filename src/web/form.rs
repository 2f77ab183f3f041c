//! A page form whose fields may repeat (checkboxes, multiple selects), read into a typed
//! struct: a `Vec` field collects every value sent under its name (`serde_html_form`, where
//! actix's `Form` keeps one). A body that cannot be read is the French error page.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::web::page_error::PageError;

/// The form, as its struct says.
pub struct HtmlForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for HtmlForm<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let urlencoded = req.content_type() == "application/x-www-form-urlencoded";
        // The body, within the payload limit every extractor of the service honours.
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !urlencoded {
                return Err(PageError::from(AppError::BadRequest(
                    "Ce formulaire doit être envoyé depuis sa page.".into(),
                ))
                .into());
            }
            let body = body.await?;
            Ok(HtmlForm(parse(&body)?))
        })
    }
}

/// An `application/x-www-form-urlencoded` body read into `T` (a handler that reads the same
/// body into two structs, its values and its token, calls this twice).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, PageError> {
    serde_html_form::from_bytes(body).map_err(|_| {
        PageError::from(AppError::BadRequest(
            "Le formulaire envoyé est illisible : rechargez la page et recommencez.".into(),
        ))
    })
}

/// A checkbox: checked when sent with any value (`on` by default), unchecked when absent.
pub fn checkbox<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    let value: String = serde::Deserialize::deserialize(deserializer)?;
    Ok(!value.is_empty())
}
