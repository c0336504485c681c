import { api } from '../lib/api.js'

export const listCategories = () => api.get('/categories')
export const createCategory = (category) => api.post('/categories', category)
export const listProducts = (query) => api.get('/products', query)
export const getProduct = (id) => api.get(`/products/${id}`)
export const createProduct = (product) => api.post('/products', product)
export const updateProduct = (id, changes) => api.patch(`/products/${id}`, changes)
export const archiveProduct = (id) => api.delete(`/products/${id}`)
export const uploadProductImage = (id, file) => api.putFile(`/products/${id}/image`, file)
export const removeProductImage = (id) => api.delete(`/products/${id}/image`)

/** The category tree flattened for pickers: "饮料 / 碳酸" with its id. */
export function flattenCategories(nodes, prefix = '') {
  return nodes.flatMap((node) => {
    const label = prefix ? `${prefix} / ${node.name}` : node.name
    return [{ id: node.id, label }, ...flattenCategories(node.children || [], label)]
  })
}
