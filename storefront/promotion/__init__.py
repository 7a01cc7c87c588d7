"""Trade promotion (DOMAIN §12): gift boxes, craft villages and community tourism,
livestreams, product feeds for other platforms and search engines, buyers from abroad."""
